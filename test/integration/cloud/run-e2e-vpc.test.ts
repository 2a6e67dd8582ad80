import { describeRunOnSandbox } from './run-e2e';

describeRunOnSandbox('vpc');
