// The Kubernetes object types the generator writes, from kubernetes-models (Kubernetes' published
// OpenAPI schemas as TypeScript): a misspelt or misplaced field fails the type-check, and the
// tests validate every generated object against the same schemas. Types only: nothing of the
// package is loaded when manifests are generated.
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import type { IPod } from 'kubernetes-models/v1/Pod';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IService } from 'kubernetes-models/v1/Service';

export type { IContainer as Container } from 'kubernetes-models/v1/Container';
export type { IEnvVar as EnvVar } from 'kubernetes-models/v1/EnvVar';
export type { IPodSpec as PodSpec } from 'kubernetes-models/v1/PodSpec';
export type { IResourceRequirements as ResourceRequirements } from 'kubernetes-models/v1/ResourceRequirements';
export type { IVolume as Volume } from 'kubernetes-models/v1/Volume';
export type { IVolumeMount as VolumeMount } from 'kubernetes-models/v1/VolumeMount';
export type { IDeployment as Deployment, IJob as Job, IConfigMap as ConfigMap, IPersistentVolumeClaim as PersistentVolumeClaim, IPod as Pod, ISecret as Secret, IService as Service };

/** One document of the generated file. */
export type Manifest = IDeployment | IJob | IConfigMap | IPersistentVolumeClaim | IPod | ISecret | IService;
