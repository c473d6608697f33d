namespace Navarch.Kubelet.Join;

/// <summary>Joining the cluster failed for a reason the operator must fix (wrong token, wrong server).</summary>
public sealed class JoinException(string message, Exception? inner = null) : Exception(message, inner);
