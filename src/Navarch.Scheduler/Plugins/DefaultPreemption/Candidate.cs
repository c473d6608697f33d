using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Plugins.DefaultPreemption;

/// <summary>A node where the pod fits once <see cref="Victims"/> (highest priority first) are evicted.</summary>
internal sealed record Candidate(string NodeName, IReadOnlyList<PodInfo> Victims);
