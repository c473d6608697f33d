namespace Navarch.Controllers.GarbageCollector;

/// <summary>Which object: its resource, namespace (null when cluster-scoped), name and UID.</summary>
internal readonly record struct ObjectRef(ApiResource Resource, string? Namespace, string Name, string Uid)
{
    public override string ToString() =>
        $"{Resource.GroupResource} {(Namespace is null ? Name : Namespace + "/" + Name)} ({Uid})";
}
