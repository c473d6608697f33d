namespace Navarch.Scheduler.Plugins.NodeResourcesFit;

/// <summary>
/// Turns per-resource (requested, allocatable) pairs, in the order of the configured resources, into a node score
/// in 0-100. Entries with allocatable 0 are resources the node lacks or the pod does not ask for, and are skipped.
/// </summary>
internal interface IResourceScorer
{
    long Score(ReadOnlySpan<long> requested, ReadOnlySpan<long> allocatable);
}
