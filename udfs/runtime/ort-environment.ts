// onnxruntime writes a telemetry debug file (/tmp/mat-debug-<pid>.log) for every process that creates a
// session, unless ORT_DISABLE_TELEMETRY is set before its first session. Imported before onnxruntime by every
// main-thread module that leads to a session, so the main thread and the workers it starts (which share the
// process environment) see it; a user's own setting wins.
process.env.ORT_DISABLE_TELEMETRY ??= '1';
