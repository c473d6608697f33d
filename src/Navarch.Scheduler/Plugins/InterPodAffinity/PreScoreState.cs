namespace Navarch.Scheduler.Plugins.InterPodAffinity;

/// <summary>
/// Per topology key and value, the summed weights PreScore found (positive for affinity, negative for
/// anti-affinity). Score adds up the entries that match the node's labels. Read-only after PreScore.
/// </summary>
internal sealed class PreScoreState(Dictionary<string, Dictionary<string, long>> topologyScore)
{
    public Dictionary<string, Dictionary<string, long>> TopologyScore { get; } = topologyScore;
}
