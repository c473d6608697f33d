namespace Navarch.Bench;

/// <summary>CPU seconds of a node agent's runtime processes (see <see cref="AgentProcesses.CpuSeconds"/>).</summary>
/// <param name="Containerd">containerd itself.</param>
/// <param name="ContainerdChildren">containerd's ended children: CNI plugins, <c>containerd-shim start</c>.</param>
/// <param name="Shims">The running shims.</param>
/// <param name="ShimChildren">The shims' ended children: <c>runc create/start/...</c>.</param>
internal sealed record AgentCpu(double Containerd, double ContainerdChildren, double Shims, double ShimChildren)
{
    public double Total => Containerd + ContainerdChildren + Shims + ShimChildren;

    public static AgentCpu operator -(AgentCpu later, AgentCpu earlier) => new(
        later.Containerd - earlier.Containerd,
        later.ContainerdChildren - earlier.ContainerdChildren,
        later.Shims - earlier.Shims,
        later.ShimChildren - earlier.ShimChildren);
}
