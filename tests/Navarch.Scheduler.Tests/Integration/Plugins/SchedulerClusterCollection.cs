namespace Navarch.Scheduler.Tests.Integration.Plugins;

/// <summary>All plugin scenarios share one <see cref="SchedulerClusterFixture"/> and run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class SchedulerClusterCollection : ICollectionFixture<SchedulerClusterFixture>
{
    public const string Name = "Scheduler plugins through the API";
}
