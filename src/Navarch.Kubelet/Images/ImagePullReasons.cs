namespace Navarch.Kubelet.Images;

/// <summary>The kubelet's waiting reasons for a container whose image is not there.</summary>
public static class ImagePullReasons
{
    public const string ErrImagePull = "ErrImagePull";
    public const string ImagePullBackOff = "ImagePullBackOff";
    public const string ErrImageNeverPull = "ErrImageNeverPull";
    public const string InvalidImageName = "InvalidImageName";

    /// <summary>The runtime could not say whether the image is there.</summary>
    public const string ImageInspectError = "ImageInspectError";
}
