import { detectRenderer } from './detectRenderer';

describe('detectRenderer', () => {
  it.each([
    [{ 'app/kustomization.yaml': '' }, 'kustomize'],
    [{ 'app/Kustomization': '' }, 'kustomize'],
    [{ 'app/Chart.yaml': '', 'app/kustomization.yml': '' }, 'kustomize'],
    [{ 'app/Chart.yaml': '' }, 'helm'],
    [{ 'app/deployment.yaml': '' }, 'plain'],
  ])('reads %j as %s', async (files, expected) => {
    const read = async (path: string) =>
      (files as Record<string, string>)[path];
    await expect(detectRenderer('app', read)).resolves.toBe(expected);
  });
});
