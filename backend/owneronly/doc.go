// Package owneronly keeps the office's files readable by the office OS account only, the way
// each OS does it: file modes (0700 directories, 0600 files) on Unix; on Windows, where chmod
// only toggles the read-only attribute, an explicit protected DACL that grants the current
// user alone full control, inherited by everything created inside the directory.
package owneronly
