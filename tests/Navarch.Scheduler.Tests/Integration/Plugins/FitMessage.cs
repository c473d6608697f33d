using System.Globalization;
using System.Text.RegularExpressions;
using Xunit.Sdk;

namespace Navarch.Scheduler.Tests.Integration.Plugins;

/// <summary>
/// kube-scheduler's FitError text taken apart: "0/N nodes are available: 1 Insufficient cpu, 2 node(s) ... . preemption: ...".
/// Nodes of other scenarios may exist while a test runs, so tests assert on N and on the counts of their own reasons.
/// </summary>
internal sealed partial record FitMessage(int NumNodes, IReadOnlyDictionary<string, int> Reasons, string PostFilter)
{
    public static FitMessage Parse(string message)
    {
        var match = Pattern().Match(message);
        if (!match.Success) throw new XunitException($"Not a FitError message: \"{message}\"");
        var reasons = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var item in match.Groups["reasons"].Value.Split(", "))
        {
            var space = item.IndexOf(' ', StringComparison.Ordinal);
            if (space <= 0 || !int.TryParse(item.AsSpan(0, space), NumberStyles.None, CultureInfo.InvariantCulture, out var count))
            {
                throw new XunitException($"Not a \"<count> <reason>\" item: \"{item}\" in \"{message}\"");
            }

            reasons[item[(space + 1)..]] = count;
        }

        return new FitMessage(int.Parse(match.Groups["nodes"].Value, CultureInfo.InvariantCulture), reasons, match.Groups["post"].Value);
    }

    /// <summary>How many nodes gave <paramref name="reason"/> (0 when none did).</summary>
    public int Count(string reason) => Reasons.GetValueOrDefault(reason);

    [GeneratedRegex(@"^0/(?<nodes>\d+) nodes are available: (?<reasons>[^.]+)\.(?: (?<post>.+))?$")]
    private static partial Regex Pattern();
}
