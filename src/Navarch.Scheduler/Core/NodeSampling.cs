namespace Navarch.Scheduler.Core;

/// <summary>
/// How many feasible nodes a cycle looks for before it stops filtering, as kube-scheduler's
/// numFeasibleNodesToFind: all nodes under 100; otherwise a percentage (adaptive by default: 50% minus one
/// point per 125 nodes, at least 5%), and never fewer than 100.
/// </summary>
public static class NodeSampling
{
    public const int MinFeasibleNodesToFind = 100;
    public const int MinFeasibleNodesPercentageToFind = 5;

    public static int NumFeasibleNodesToFind(int percentageOfNodesToScore, int numAllNodes)
    {
        if (numAllNodes < MinFeasibleNodesToFind) return numAllNodes;
        var percentage = percentageOfNodesToScore;
        if (percentage <= 0)
        {
            percentage = 50 - (numAllNodes / 125);
            if (percentage < MinFeasibleNodesPercentageToFind) percentage = MinFeasibleNodesPercentageToFind;
        }

        var numNodes = (int)((long)numAllNodes * percentage / 100);
        return numNodes < MinFeasibleNodesToFind ? MinFeasibleNodesToFind : numNodes;
    }
}
