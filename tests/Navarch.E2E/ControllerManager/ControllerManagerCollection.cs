namespace Navarch.E2E.ControllerManager;

/// <summary>
/// The controller-manager process tests share one private server (not the run's shared one), and run one at a
/// time: they all campaign for, or run without, the same kube-system/kube-controller-manager lease.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ControllerManagerCollection : ICollectionFixture<StandaloneCluster>
{
    public const string Name = "navarch controller-manager processes";
}
