import { listeningPorts } from './startTestCluster';

describe('listeningPorts', () => {
  it('reads the ports kube-apiserver and etcd command lines listen on', () => {
    expect(
      listeningPorts([
        '/bin/kube-apiserver',
        '--etcd-servers=http://127.0.0.1:2379',
        '--secure-port=18979',
      ]),
    ).toEqual([18979]);
    expect(
      listeningPorts([
        '/bin/etcd',
        '--listen-client-urls=http://127.0.0.1:12001',
        '--advertise-client-urls=http://127.0.0.1:12001',
        '--listen-peer-urls=http://127.0.0.1:12002/',
      ]),
    ).toEqual([12001, 12002]);
  });

  it('finds none in a command line without listeners', () => {
    expect(listeningPorts(['/bin/kwok', '--kubeconfig=/tmp/k'])).toEqual([]);
  });
});
