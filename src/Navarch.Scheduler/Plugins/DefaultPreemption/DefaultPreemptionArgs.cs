using System.Text.Json;

namespace Navarch.Scheduler.Plugins.DefaultPreemption;

/// <summary>
/// DefaultPreemptionArgs of KubeSchedulerConfiguration: how many candidate nodes preemption looks for before it
/// picks one, at least <c>minCandidateNodesPercentage</c> (0-100, default 10) of the nodes and at least
/// <c>minCandidateNodesAbsolute</c> (default 100).
/// </summary>
internal sealed record DefaultPreemptionArgs(int MinCandidateNodesPercentage = 10, int MinCandidateNodesAbsolute = 100)
{
    /// <exception cref="ArgumentException">Invalid arguments, with kube-scheduler's validation message.</exception>
    public static DefaultPreemptionArgs Parse(JsonElement? args)
    {
        var result = new DefaultPreemptionArgs();
        if (args is { ValueKind: JsonValueKind.Object } element)
        {
            if (element.TryGetProperty("minCandidateNodesPercentage", out var percentage) && percentage.ValueKind == JsonValueKind.Number)
            {
                result = result with { MinCandidateNodesPercentage = percentage.GetInt32() };
            }

            if (element.TryGetProperty("minCandidateNodesAbsolute", out var absolute) && absolute.ValueKind == JsonValueKind.Number)
            {
                result = result with { MinCandidateNodesAbsolute = absolute.GetInt32() };
            }
        }

        if (result.MinCandidateNodesPercentage is < 0 or > 100)
        {
            throw new ArgumentException(
                $"minCandidateNodesPercentage: Invalid value: {result.MinCandidateNodesPercentage}: not in valid range [0, 100]", nameof(args));
        }

        if (result.MinCandidateNodesAbsolute < 0)
        {
            throw new ArgumentException(
                $"minCandidateNodesAbsolute: Invalid value: {result.MinCandidateNodesAbsolute}: not in valid range [0, inf)", nameof(args));
        }

        if (result.MinCandidateNodesPercentage == 0 && result.MinCandidateNodesAbsolute == 0)
        {
            throw new ArgumentException(
                "minCandidateNodesPercentage: Invalid value: 0: cannot be zero at the same time as minCandidateNodesAbsolute", nameof(args));
        }

        return result;
    }

    /// <summary>How many candidates to find among <paramref name="numNodes"/> potential nodes (calculateNumCandidates).</summary>
    public int NumCandidates(int numNodes)
    {
        var n = (int)((long)numNodes * MinCandidateNodesPercentage / 100);
        if (n < MinCandidateNodesAbsolute) n = MinCandidateNodesAbsolute;
        return Math.Min(n, numNodes);
    }
}
