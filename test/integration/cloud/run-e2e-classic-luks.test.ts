import { describeRunOnSandbox } from './run-e2e';

describeRunOnSandbox('classic-luks');
