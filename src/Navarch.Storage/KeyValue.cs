namespace Navarch.Storage;

/// <summary>
/// One version of one key, as etcd v3 reports it: the revision that created the key,
/// the revision of this write, and how many writes the key has seen since it was created.
/// </summary>
public sealed record KeyValue(string Key, ReadOnlyMemory<byte> Value, long CreateRevision, long ModRevision, long Version);
