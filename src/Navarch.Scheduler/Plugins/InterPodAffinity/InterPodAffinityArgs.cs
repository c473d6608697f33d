using System.Text.Json;

namespace Navarch.Scheduler.Plugins.InterPodAffinity;

/// <summary>
/// InterPodAffinityArgs of KubeSchedulerConfiguration: <c>hardPodAffinityWeight</c> (0-100, default 1) is the
/// score weight of existing pods' required affinity terms; <c>ignorePreferredTermsOfExistingPods</c> skips
/// existing pods' preferences when the incoming pod has none.
/// </summary>
internal sealed record InterPodAffinityArgs(int HardPodAffinityWeight = 1, bool IgnorePreferredTermsOfExistingPods = false)
{
    /// <exception cref="ArgumentException">An argument is out of range; the message is kube-scheduler's validation message.</exception>
    public static InterPodAffinityArgs Parse(JsonElement? args)
    {
        var result = new InterPodAffinityArgs();
        if (args is not { ValueKind: JsonValueKind.Object } element) return result;

        if (element.TryGetProperty("hardPodAffinityWeight", out var weight) && weight.ValueKind == JsonValueKind.Number)
        {
            result = result with { HardPodAffinityWeight = weight.GetInt32() };
        }

        if (element.TryGetProperty("ignorePreferredTermsOfExistingPods", out var ignore)
            && ignore.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            result = result with { IgnorePreferredTermsOfExistingPods = ignore.GetBoolean() };
        }

        if (result.HardPodAffinityWeight is < 0 or > 100)
        {
            throw new ArgumentException(
                $"hardPodAffinityWeight: Invalid value: {result.HardPodAffinityWeight}: not in valid range [0-100]", nameof(args));
        }

        return result;
    }
}
