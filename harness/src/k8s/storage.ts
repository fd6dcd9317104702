// The results volume every shard writes its folder to and the merge reads: ReadWriteMany, since
// the shards run on several nodes at once.
import { metadata, type ManifestContext } from './context.ts';
import type { PersistentVolumeClaim } from './types.ts';

export function storageClaim(ctx: ManifestContext): PersistentVolumeClaim {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: metadata(ctx, 'results'),
    spec: {
      accessModes: ['ReadWriteMany'],
      ...(ctx.options.storageClass !== null && { storageClassName: ctx.options.storageClass }),
      resources: { requests: { storage: ctx.options.storage } },
    },
  };
}
