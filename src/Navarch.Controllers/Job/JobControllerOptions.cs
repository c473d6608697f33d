namespace Navarch.Controllers.Job;

/// <summary>
/// Tunables of the Job controller that kube-controller-manager fixes; they are options only so tests can shorten
/// the pod-failure back-off. Defaults are Kubernetes': 10 s doubling per failure, capped at six minutes.
/// </summary>
internal sealed record JobControllerOptions
{
    public TimeSpan PodFailureBackoff { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan MaxPodFailureBackoff { get; init; } = TimeSpan.FromMinutes(6);

    /// <summary>The delay before replacing a pod after <paramref name="failures"/> failures since the last success.</summary>
    public TimeSpan BackoffFor(int failures)
    {
        if (failures <= 0)
        {
            return TimeSpan.Zero;
        }

        var delay = PodFailureBackoff;
        for (var i = 1; i < failures && delay < MaxPodFailureBackoff; i++)
        {
            delay *= 2;
        }

        return delay < MaxPodFailureBackoff ? delay : MaxPodFailureBackoff;
    }
}
