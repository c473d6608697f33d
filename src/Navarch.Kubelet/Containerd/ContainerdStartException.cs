namespace Navarch.Kubelet.Containerd;

/// <summary>containerd could not be started or did not become ready; the message includes the end of its log.</summary>
public sealed class ContainerdStartException : Exception
{
    public ContainerdStartException(string message)
        : base(message)
    {
    }

    public ContainerdStartException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ContainerdStartException()
    {
    }
}
