namespace Navarch.Kubelet.Tests.Node;

/// <summary>One API server shared by the node tests; each test registers a node of its own name.</summary>
[CollectionDefinition(Name)]
public sealed class NodeApiCollection : ICollectionFixture<NodeApiFixture>
{
    public const string Name = "NodeApi";
}
