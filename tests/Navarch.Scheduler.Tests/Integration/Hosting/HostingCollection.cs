namespace Navarch.Scheduler.Tests.Integration.Hosting;

/// <summary>
/// The hosting tests share one API server. They run one at a time (one collection), and each stops the schedulers it
/// started before it ends, so no scheduler of one test binds another test's pods.
/// </summary>
[CollectionDefinition(Name)]
public sealed class HostingCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "scheduler hosting";
}
