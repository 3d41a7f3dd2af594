// PNG output for grids of images: samples from a model, or its weight filters.
//
// Each column of a matrix is one image, its pixels in row-major order (pixel
// (r, c) is element r * image_cols + c), as in IDX files.  The images are laid
// out left to right, top to bottom, in a grid with `padding` background pixels
// between neighbouring images (none around the border), and written as an
// 8-bit grayscale PNG with libpng.
#pragma once

#include <armadillo>
#include <string>

namespace ebm {

struct GridOptions {
  /// Shape of one image.  Both 0: the square root of the number of rows of
  /// the data, which must then be a perfect square.  Exactly one 0: inferred
  /// from the number of rows and the other one (which must divide it).
  arma::uword image_rows = 0, image_cols = 0;
  /// Images per row of the grid; 0: ceil(sqrt(number of images)).  Cells
  /// after the last image are filled with the background.
  arma::uword grid_cols = 0;
  /// Pixels between images, filled with the background.
  arma::uword padding = 1;
  /// false: values in [0, 1] map to round(255 * v), values outside are
  /// clamped.  true: each image's own min..max maps to 0..255 (for weight
  /// filters); a constant image comes out all 0.  NaN is drawn as 0 either
  /// way, and with normalize_each infinities are clamped to the range of the
  /// image's finite values.
  bool normalize_each = false;
  /// Gray level of the padding and of empty grid cells.
  unsigned char background = 0;
};

/// Writes the columns of `images` as a grayscale 8-bit PNG grid at `path`.
/// The PNG is written to a temporary file in the same folder
/// (path + ".tmp.<pid>"), flushed to disk, then renamed over `path`, so that
/// `path` never holds a partial image; the temporary file is removed on
/// failure.  Throws InputError("path: ...") if the matrix is empty, the shape
/// does not fit the data (saying what was given and what was expected), the
/// grid is larger than libpng accepts, or the file cannot be written.
template <typename eT>
void write_png_grid(const std::string& path, const arma::Mat<eT>& images, const GridOptions& options = {});

/// Reads a grayscale PNG of bit depth 8 or less (for tests and tools): returns
/// a height x width matrix of values 0..255 (lower bit depths are scaled up).
/// Throws InputError naming the file if it cannot be read, is not a PNG, is
/// corrupt or truncated, or is not grayscale.
arma::Mat<unsigned char> read_png_gray(const std::string& path);

}  // namespace ebm
