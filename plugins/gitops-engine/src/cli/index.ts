export { main } from './main';
export { EXIT, type CliIo, type ExitCode } from './CliIo';
