// Package layers holds no code: its tests enforce who may import whom under backend/ (see
// docs/ARCHITECTURE.md). The provincial server will link the shared packages, so none of them
// may pull in an office-only one; and the office's use cases (backend/app) call the named
// queries of backend/store instead of building database queries themselves.
package layers
