namespace Navarch.Kubelet.Gc;

/// <summary>What one garbage-collection pass removed, and what it could not.</summary>
/// <param name="RemovedContainers">CRI container IDs removed.</param>
/// <param name="RemovedSandboxes">CRI pod sandbox IDs removed.</param>
/// <param name="RemovedImages">Image IDs removed.</param>
/// <param name="BytesFreed">The sizes of the removed images, as the runtime reported them.</param>
/// <param name="Errors">One message per failed removal, or why the image GC could not free enough.</param>
public sealed record GcResult(
    IReadOnlyList<string> RemovedContainers,
    IReadOnlyList<string> RemovedSandboxes,
    IReadOnlyList<string> RemovedImages,
    ulong BytesFreed,
    IReadOnlyList<string> Errors)
{
    public static readonly GcResult Empty = new([], [], [], 0, []);
}
