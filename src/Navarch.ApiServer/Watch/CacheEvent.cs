namespace Navarch.ApiServer.Watch;

/// <summary>
/// A change seen by the watch cache. <see cref="Object"/> is the new state (for a delete: the last state, with the
/// delete's revision as its resourceVersion); <see cref="Previous"/> the state before, so a watcher whose
/// selector matched only one side can turn the change into ADDED or DELETED as kube-apiserver does.
/// </summary>
public sealed record CacheEvent(CacheEventType Type, CachedObject Object, CachedObject? Previous, long Revision);
