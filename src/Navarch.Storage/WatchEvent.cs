namespace Navarch.Storage;

/// <summary>
/// One change to one key. For a put, <see cref="Kv"/> is the new value and <see cref="PrevKv"/> the value it
/// replaced (null on create). For a delete, <see cref="Kv"/> carries the key with an empty value and the
/// delete's revision as <see cref="KeyValue.ModRevision"/>, and <see cref="PrevKv"/> is the value deleted.
/// </summary>
public sealed record WatchEvent(WatchEventType Type, KeyValue Kv, KeyValue? PrevKv)
{
    public long Revision => Kv.ModRevision;

    /// <summary>As etcd decides it: a put whose key was created by this very revision.</summary>
    public bool IsCreate => Type == WatchEventType.Put && Kv.CreateRevision == Kv.ModRevision;
}
