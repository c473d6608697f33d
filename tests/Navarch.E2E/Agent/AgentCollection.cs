namespace Navarch.E2E.Agent;

/// <summary>
/// The agent test classes share one <see cref="AgentCluster"/> and run one at a time: every cluster on this machine
/// puts its pods on the same cni0 bridge and pod CIDR, so two at once would hand out the same pod IPs.
/// </summary>
[CollectionDefinition(Name)]
public sealed class AgentCollection : ICollectionFixture<AgentCluster>
{
    public const string Name = "navarch agent cluster";
}
