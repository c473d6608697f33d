namespace Navarch.Kubelet.Tests.Gc;

/// <summary>GC tests remove images and containers, so they get a containerd of their own.</summary>
[CollectionDefinition(Name)]
public sealed class GcCollection : ICollectionFixture<ContainerdFixture>
{
    public const string Name = "Gc";
}
