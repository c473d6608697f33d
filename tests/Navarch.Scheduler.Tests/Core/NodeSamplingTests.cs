using Navarch.Scheduler.Core;

namespace Navarch.Scheduler.Tests.Core;

public sealed class NodeSamplingTests
{
    [Theory]
    [InlineData(0, 10, 10)]
    [InlineData(0, 99, 99)]
    [InlineData(0, 100, 100)]
    [InlineData(0, 500, 230)]
    [InlineData(0, 1000, 420)]
    [InlineData(0, 5000, 500)]
    [InlineData(0, 6000, 300)]
    [InlineData(0, 15000, 750)]
    [InlineData(50, 1000, 500)]
    [InlineData(1, 1000, 100)]
    [InlineData(100, 3000, 3000)]
    public void NumFeasibleNodesToFind_MatchesKubeScheduler(int percentage, int nodes, int expected) =>
        Assert.Equal(expected, NodeSampling.NumFeasibleNodesToFind(percentage, nodes));
}
