/**
 * Preset deflate dictionary: fragments that recur in almost every workload's JSON and managedFields.
 * Deflate refers back into it, so each compact object stores only what is particular to it. Changing it
 * only affects objects compacted by this process: the packed form is never persisted.
 */
export const COMPACT_DICTIONARY = Buffer.from(
  [
    '{"c":{"spec":{"progressDeadlineSeconds":600,"replicas":1,"revisionHistoryLimit":10,"selector":{"matchLabels":{"app.kubernetes.io/name":""}},',
    '"strategy":{"rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"},"type":"RollingUpdate"},',
    '"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":""},"creationTimestamp":null,"labels":{"app.kubernetes.io/name":"","app.kubernetes.io/instance":"","app.kubernetes.io/part-of":""}},',
    '"spec":{"containers":[{"args":[],"command":[],"env":[{"name":"","value":""},{"name":"","valueFrom":{"secretKeyRef":{"key":"","name":""}}},',
    '{"name":"","valueFrom":{"configMapKeyRef":{"key":"","name":""}}},{"name":"","valueFrom":{"fieldRef":{"apiVersion":"v1","fieldPath":"metadata.namespace"}}},',
    '{"name":"","valueFrom":{"resourceFieldRef":{"divisor":"0","resource":"limits.cpu"}}}],"image":"","imagePullPolicy":"IfNotPresent",',
    '"livenessProbe":{"failureThreshold":3,"httpGet":{"path":"/healthz","port":"http","scheme":"HTTP"},"initialDelaySeconds":10,"periodSeconds":10,"successThreshold":1,"timeoutSeconds":1},',
    '"readinessProbe":{"failureThreshold":3,"httpGet":{"path":"/ready","port":"http","scheme":"HTTP"},"periodSeconds":10,"successThreshold":1,"timeoutSeconds":1},',
    '"name":"","ports":[{"containerPort":8080,"name":"http","protocol":"TCP"}],"resources":{"limits":{"cpu":"1","memory":"512Mi"},"requests":{"cpu":"100m","memory":"128Mi"}},',
    '"securityContext":{"allowPrivilegeEscalation":false,"readOnlyRootFilesystem":true,"runAsNonRoot":true,"capabilities":{"drop":["ALL"]}},',
    '"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","volumeMounts":[{"mountPath":"/","name":"","readOnly":true}]}],',
    '"dnsPolicy":"ClusterFirst","restartPolicy":"Always","schedulerName":"default-scheduler","securityContext":{},"serviceAccount":"","serviceAccountName":"",',
    '"terminationGracePeriodSeconds":30,"volumes":[{"configMap":{"defaultMode":420,"name":""},"name":""},{"emptyDir":{},"name":""},{"name":"","secret":{"defaultMode":420,"secretName":""}}]}}},',
    '"ports":[{"name":"http","port":80,"protocol":"TCP","targetPort":"http"}],"type":"ClusterIP","sessionAffinity":"None","internalTrafficPolicy":"Cluster","ipFamilyPolicy":"SingleStack","ipFamilies":["IPv4"],"clusterIP":"","clusterIPs":[""]},',
    '"m":[{"manager":"backstage-gitops","operation":"Apply","fieldsV1":{"f:metadata":{"f:annotations":{},"f:labels":{"f:app.kubernetes.io/name":{},"f:app.kubernetes.io/part-of":{},"f:gitops.backstage.io/application":{}}},',
    '"f:spec":{"f:replicas":{},"f:selector":{},"f:template":{"f:metadata":{"f:annotations":{},"f:labels":{"f:app.kubernetes.io/name":{}}},"f:spec":{"f:containers":{"k:{\\"name\\":\\"\\"}":{".":{},',
    '"f:args":{},"f:env":{"k:{\\"name\\":\\"\\"}":{".":{},"f:name":{},"f:value":{},"f:valueFrom":{"f:secretKeyRef":{}}}},"f:image":{},',
    '"f:livenessProbe":{"f:httpGet":{"f:path":{},"f:port":{}},"f:initialDelaySeconds":{}},"f:name":{},"f:ports":{"k:{\\"containerPort\\":8080,\\"protocol\\":\\"TCP\\"}":{".":{},"f:containerPort":{},"f:name":{}}},',
    '"f:readinessProbe":{"f:httpGet":{"f:path":{},"f:port":{}},"f:periodSeconds":{}},"f:resources":{"f:limits":{"f:cpu":{},"f:memory":{}},"f:requests":{"f:cpu":{},"f:memory":{}}},',
    '"f:volumeMounts":{"k:{\\"mountPath\\":\\"/\\"}":{".":{},"f:mountPath":{},"f:name":{},"f:readOnly":{}}}}},"f:serviceAccountName":{},',
    '"f:volumes":{"k:{\\"name\\":\\"\\"}":{".":{},"f:configMap":{"f:defaultMode":{},"f:name":{}},"f:emptyDir":{"f:sizeLimit":{}},"f:name":{}}}}}}}},',
    '{"manager":"kubectl-edit","operation":"Update"},{"manager":"kubectl-rollout","operation":"Update","fieldsV1":{"f:spec":{"f:template":{"f:metadata":{"f:annotations":{"f:kubectl.kubernetes.io/restartedAt":{}}}}}}},',
    '{"manager":"kube-controller-manager","operation":"Update","fieldsV1":{"f:metadata":{"f:annotations":{".":{},"f:deployment.kubernetes.io/revision":{}}}}}]}',
  ].join(''),
);
