namespace Navarch.ApiServer.Watch;

/// <summary>A watcher fell so far behind that its buffer filled; the client is expected to re-watch.</summary>
public sealed class WatcherTooSlowException() : Exception("watcher fell too far behind; watch again from the last resourceVersion seen");
