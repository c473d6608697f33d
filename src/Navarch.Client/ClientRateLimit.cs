namespace Navarch.Client;

/// <summary>
/// Client-side request throttling: a token bucket refilled at <paramref name="Qps"/> per second that holds at most
/// <paramref name="Burst"/> tokens, as client-go's <c>rest.Config</c> QPS and Burst.
/// </summary>
public sealed record ClientRateLimit(float Qps, int Burst)
{
    /// <summary>client-go's defaults when a config sets neither (5 QPS, burst 10).</summary>
    public static ClientRateLimit Default { get; } = new(5, 10);

    /// <summary>kube-scheduler's defaults (<c>--kube-api-qps=50 --kube-api-burst=100</c>).</summary>
    public static ClientRateLimit Scheduler { get; } = new(50, 100);

    /// <summary>kube-controller-manager's defaults (<c>--kube-api-qps=20 --kube-api-burst=30</c>).</summary>
    public static ClientRateLimit ControllerManager { get; } = new(20, 30);

    /// <summary>The kubelet's defaults (<c>kubeAPIQPS: 50, kubeAPIBurst: 100</c>).</summary>
    public static ClientRateLimit Kubelet { get; } = new(50, 100);

    /// <summary>No throttling at all (tests, benchmarks, and the admin tooling).</summary>
    public static ClientRateLimit Unlimited { get; } = new(float.PositiveInfinity, int.MaxValue);

    /// <summary>True when requests are never delayed.</summary>
    public bool IsUnlimited => float.IsPositiveInfinity(Qps);

    /// <summary>Throws when the values cannot make a working bucket.</summary>
    public void Validate()
    {
        if (!(Qps > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(Qps), Qps, "QPS must be greater than zero (use ClientRateLimit.Unlimited for no limit).");
        }

        if (Burst < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Burst), Burst, "Burst must be at least 1.");
        }
    }
}
