namespace Navarch.Kubelet.Tests;

/// <summary>Tests that share one containerd; they run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class ContainerdCollection : ICollectionFixture<ContainerdFixture>
{
    public const string Name = "containerd";
}
