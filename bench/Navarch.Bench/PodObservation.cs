namespace Navarch.Bench;

/// <summary>What the <c>pod-startup</c> watch has seen of one pod (one UID).</summary>
/// <param name="Uid">The pod's UID; a new UID under the same name starts a new observation.</param>
/// <param name="CreationTimestamp">The pod's <c>metadata.creationTimestamp</c> (whole seconds in Kubernetes' format).</param>
/// <param name="BoundSeen"><see cref="System.Diagnostics.Stopwatch"/> timestamp of the first event with a node; 0 if none.</param>
/// <param name="RunningSeen">Stopwatch timestamp of the first event with phase Running; 0 if none.</param>
/// <param name="RunningSeenWall">Wall-clock time of that event, to compare with <paramref name="CreationTimestamp"/>.</param>
/// <param name="Phase">The last phase seen.</param>
/// <param name="Waiting">The last container waiting reason seen, if any.</param>
/// <param name="Deleted">A DELETED event was seen.</param>
internal sealed record PodObservation(
    string Uid,
    DateTime? CreationTimestamp,
    long BoundSeen = 0,
    long RunningSeen = 0,
    DateTime? RunningSeenWall = null,
    string? Phase = null,
    string? Waiting = null,
    bool Deleted = false);
