namespace Navarch.Api.Scheduling;

/// <summary>
/// Which taint effects a search over taints considers (in place of upstream's taint filter functions, so the
/// hot path needs no delegate). Taints with any other effect are skipped.
/// </summary>
[Flags]
public enum TaintEffectFilter
{
    /// <summary>No taint is considered.</summary>
    None = 0,

    /// <summary>Taints with effect NoSchedule.</summary>
    NoSchedule = 1,

    /// <summary>Taints with effect PreferNoSchedule.</summary>
    PreferNoSchedule = 2,

    /// <summary>Taints with effect NoExecute.</summary>
    NoExecute = 4,

    /// <summary>NoSchedule and NoExecute, the taints that keep a new pod off a node (DoNotScheduleTaintsFilterFunc).</summary>
    DoNotSchedule = NoSchedule | NoExecute,
}
