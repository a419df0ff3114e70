/** The module the test server loads for its replica: the same definition the test sites use. */
import { testReplica } from './replica-site.ts';

export default testReplica;
