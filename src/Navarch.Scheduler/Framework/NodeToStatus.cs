namespace Navarch.Scheduler.Framework;

/// <summary>
/// Why each filtered node was rejected in one attempt, plus the status of nodes not tried at all (a PreFilter
/// narrowed the set, or every node was rejected by a PreFilter). PostFilter and the FailedScheduling message read it.
/// </summary>
public sealed class NodeToStatus
{
    private readonly Dictionary<string, Status> _statuses = new(StringComparer.Ordinal);

    /// <summary>The status of nodes absent from the map: UnschedulableAndUnresolvable when a PreFilter excluded them.</summary>
    public Status AbsentNodesStatus { get; set; } = Status.UnschedulableAndUnresolvable();

    public int Count => _statuses.Count;

    public IEnumerable<KeyValuePair<string, Status>> Entries => _statuses;

    public void Set(string nodeName, Status status) => _statuses[nodeName] = status;

    public Status Get(string nodeName) => _statuses.TryGetValue(nodeName, out var status) ? status : AbsentNodesStatus;
}
