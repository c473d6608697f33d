namespace Navarch.Scheduler.Framework;

/// <summary>One node's score from one plugin (0-100 after normalization).</summary>
public struct NodeScore(string name, long score)
{
    public string Name { get; } = name;

    public long Score { get; set; } = score;
}
