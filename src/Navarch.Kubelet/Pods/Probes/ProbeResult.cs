namespace Navarch.Kubelet.Pods.Probes;

/// <summary>One run of a probe or hook action: its outcome and the output or error the kubelet puts in the event.</summary>
/// <param name="ExitCode">An exec action's exit code; null for the others.</param>
public sealed record ProbeResult(ProbeOutcome Outcome, string Message, int? ExitCode = null)
{
    public static ProbeResult Success(string message = "") => new(ProbeOutcome.Success, message);

    public static ProbeResult Failure(string message) => new(ProbeOutcome.Failure, message);
}
