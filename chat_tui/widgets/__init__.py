"""What the user sees. Widgets know nothing of SDKs, the store or the engine's internals."""
