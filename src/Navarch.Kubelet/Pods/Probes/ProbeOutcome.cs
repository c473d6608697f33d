namespace Navarch.Kubelet.Pods.Probes;

/// <summary>A probe's result, as the kubelet's <c>results.Result</c>: Unknown until the first probe that counts.</summary>
public enum ProbeOutcome
{
    Unknown,
    Success,
    Failure,
}
