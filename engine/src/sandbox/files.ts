// Atomic file writes of the sandbox: the engine's one implementation (exclusive random temp
// file, fsync, rename), so nothing planted in the data folder is followed or reused.
export { writeFileAtomicSync as writeFileAtomic } from '../util/files';
