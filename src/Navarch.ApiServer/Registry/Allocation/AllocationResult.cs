namespace Navarch.ApiServer.Registry.Allocation;

/// <summary>The outcome of asking an allocator for one specific value.</summary>
public enum AllocationResult
{
    /// <summary>The value was free and is now held.</summary>
    Allocated,

    /// <summary>Something else already holds the value.</summary>
    AlreadyAllocated,

    /// <summary>The value lies outside the allocator's range.</summary>
    OutOfRange,
}
