using k8s.Models;

namespace Navarch.Scheduler.Framework;

/// <summary>
/// An amount of compute resources in the units kube-scheduler counts in: millicores, bytes, pods, and integer
/// extended resources (e.g. <c>example.com/gpu</c>, <c>hugepages-2Mi</c>). Mutable so a node's running total is
/// updated in place as pods come and go.
/// </summary>
public sealed class Resource
{
    public long MilliCpu { get; set; }

    public long Memory { get; set; }

    public long EphemeralStorage { get; set; }

    public long AllowedPodNumber { get; set; }

    /// <summary>Extended and hugepages resources by name; null until one is set.</summary>
    public Dictionary<string, long>? Scalar { get; private set; }

    public const string Cpu = "cpu";
    public const string MemoryName = "memory";
    public const string EphemeralStorageName = "ephemeral-storage";
    public const string Pods = "pods";

    public long GetScalar(string name) => Scalar is not null && Scalar.TryGetValue(name, out var v) ? v : 0;

    public void SetScalar(string name, long value) => (Scalar ??= new(StringComparer.Ordinal))[name] = value;

    public void AddScalar(string name, long value) => SetScalar(name, GetScalar(name) + value);

    /// <summary>The amount of one named resource in its counting unit (millicores for cpu).</summary>
    public long Get(string name) => name switch
    {
        Cpu => MilliCpu,
        MemoryName => Memory,
        EphemeralStorageName => EphemeralStorage,
        Pods => AllowedPodNumber,
        _ => GetScalar(name),
    };

    public void Add(Resource other)
    {
        MilliCpu += other.MilliCpu;
        Memory += other.Memory;
        EphemeralStorage += other.EphemeralStorage;
        AllowedPodNumber += other.AllowedPodNumber;
        if (other.Scalar is not null)
        {
            foreach (var (name, value) in other.Scalar) AddScalar(name, value);
        }
    }

    public void Subtract(Resource other)
    {
        MilliCpu -= other.MilliCpu;
        Memory -= other.Memory;
        EphemeralStorage -= other.EphemeralStorage;
        AllowedPodNumber -= other.AllowedPodNumber;
        if (other.Scalar is not null)
        {
            foreach (var (name, value) in other.Scalar) AddScalar(name, -value);
        }
    }

    /// <summary>Per resource, the larger of this and <paramref name="other"/> (init containers' rule).</summary>
    public void SetMax(Resource other)
    {
        MilliCpu = Math.Max(MilliCpu, other.MilliCpu);
        Memory = Math.Max(Memory, other.Memory);
        EphemeralStorage = Math.Max(EphemeralStorage, other.EphemeralStorage);
        AllowedPodNumber = Math.Max(AllowedPodNumber, other.AllowedPodNumber);
        if (other.Scalar is not null)
        {
            foreach (var (name, value) in other.Scalar) SetScalar(name, Math.Max(GetScalar(name), value));
        }
    }

    public Resource Clone()
    {
        var copy = new Resource
        {
            MilliCpu = MilliCpu,
            Memory = Memory,
            EphemeralStorage = EphemeralStorage,
            AllowedPodNumber = AllowedPodNumber,
        };
        if (Scalar is not null) copy.Scalar = new Dictionary<string, long>(Scalar, StringComparer.Ordinal);
        return copy;
    }

    /// <summary>Reads a resource list (requests, limits, capacity, allocatable, overhead).</summary>
    public static Resource FromList(IDictionary<string, ResourceQuantity>? list)
    {
        var result = new Resource();
        result.AddList(list);
        return result;
    }

    public void AddList(IDictionary<string, ResourceQuantity>? list)
    {
        if (list is null) return;
        foreach (var (name, quantity) in list)
        {
            switch (name)
            {
                case Cpu: MilliCpu += ToMilli(quantity); break;
                case MemoryName: Memory += ToUnits(quantity); break;
                case EphemeralStorageName: EphemeralStorage += ToUnits(quantity); break;
                case Pods: AllowedPodNumber += ToUnits(quantity); break;
                default:
                    if (IsScalarResourceName(name)) AddScalar(name, ToUnits(quantity));
                    break;
            }
        }
    }

    /// <summary>
    /// Extended resources (a domain-qualified name outside kubernetes.io), prefixed native resources (containing
    /// "kubernetes.io/"), hugepages and attachable volumes are counted by the scheduler; other names (e.g.
    /// "storage") are ignored, as schedutil.IsScalarResourceName does.
    /// </summary>
    public static bool IsScalarResourceName(string name) =>
        name.StartsWith("hugepages-", StringComparison.Ordinal)
        || name.StartsWith("attachable-volumes-", StringComparison.Ordinal)
        || name.Contains("kubernetes.io/", StringComparison.Ordinal)
        || (name.Contains('/') && !name.StartsWith("requests.", StringComparison.Ordinal));

    /// <summary>Millicores, rounded up as Quantity.MilliValue does.</summary>
    public static long ToMilli(ResourceQuantity quantity) => (long)decimal.Ceiling(quantity.ToDecimal() * 1000m);

    /// <summary>Whole units, rounded up as Quantity.Value does.</summary>
    public static long ToUnits(ResourceQuantity quantity) => (long)decimal.Ceiling(quantity.ToDecimal());

    public override string ToString() =>
        $"cpu={MilliCpu}m memory={Memory} ephemeral-storage={EphemeralStorage} pods={AllowedPodNumber}";
}
