namespace Navarch.Scheduler.Framework;

/// <summary>A preferred (anti-)affinity term with its weight (1-100).</summary>
public sealed record WeightedAffinityTerm(AffinityTerm Term, int Weight);
