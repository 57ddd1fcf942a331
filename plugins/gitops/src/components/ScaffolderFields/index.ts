export { GitOpsApplicationPicker } from './GitOpsApplicationPicker';
export {
  GitOpsApplicationPickerSchema,
  type GitOpsApplicationPickerUiOptions,
} from './GitOpsApplicationPickerSchema';
export { GitOpsEnvironmentPicker } from './GitOpsEnvironmentPicker';
export { GitOpsEnvironmentPickerSchema } from './GitOpsEnvironmentPickerSchema';
export { validateGitOpsApplication } from './validateGitOpsApplication';
export { validateGitOpsEnvironment } from './validateGitOpsEnvironment';
