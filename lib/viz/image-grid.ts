/** A grid of small greyscale images, each with a caption: e.g. the digits a model got wrong, with true and predicted label. */
import { Figure, PlotlyTrace, plotlyText } from "./figure";

/** The largest number of images one grid draws (each is a heatmap trace; pass a slice for more). */
export const IMAGE_GRID_MAX = 100;

/** Options of {@link imageGrid}. */
export interface ImageGridOptions {
  /** Height of every image, in pixels. */
  height: number;
  /** Width of every image, in pixels. */
  width: number;
  /** Images per row of the grid (default: up to 8). */
  columns?: number;
  /** One caption per image, drawn above it (e.g. "true 4, predicted 9"). */
  captions?: readonly string[];
  title?: string;
}

/**
 * Draws `images` (one greyscale channel, images stored one after the other, each row-major `height × width`, as
 * `loadImages` returns them) as a grid of heatmaps: the lowest pixel value white, the highest black, square
 * pixels, no axes, the caption above each image. Trace i's `z` holds image i's pixels, row by row (top row first).
 * @throws Error when height or width is not a positive whole number, the pixel count is not a whole number of
 * images, there are no images or more than {@link IMAGE_GRID_MAX}, a pixel is not finite, or the captions do not
 * match the images one to one.
 */
export function imageGrid(images: ArrayLike<number>, options: ImageGridOptions): Figure {
  const { height, width } = options;
  if (!Number.isInteger(height) || height <= 0 || !Number.isInteger(width) || width <= 0) {
    throw new Error(`imageGrid: height and width must be positive whole numbers of pixels, got ${height} × ${width}.`);
  }
  const size = height * width;
  if (images.length === 0 || images.length % size !== 0) {
    throw new Error(
      `imageGrid: ${images.length} pixel values are not a whole number of ${height} × ${width} images (${size} pixels each). ` +
        "Pass the images one after the other, one channel.",
    );
  }
  const count = images.length / size;
  if (count > IMAGE_GRID_MAX)
    throw new Error(
      `imageGrid: ${count} images; a grid draws at most ${IMAGE_GRID_MAX}. Pass the first ones (a slice).`,
    );
  if (options.captions && options.captions.length !== count) {
    throw new Error(`imageGrid: ${options.captions.length} captions for ${count} images. Give one caption per image.`);
  }
  const columns = options.columns ?? Math.min(count, 8);
  if (!Number.isInteger(columns) || columns <= 0)
    throw new Error(`imageGrid: columns must be a positive whole number, got ${columns}.`);
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < images.length; i++) {
    const v = images[i];
    if (!Number.isFinite(v))
      throw new Error(`imageGrid: image ${Math.floor(i / size)}, pixel ${i % size} is ${v}, not a finite number.`);
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (hi === lo) hi = lo + 1;
  const rows = Math.ceil(count / columns);
  // Each cell's share of the figure, with a gap between cells and room above each image for its caption.
  const gapX = 0.02;
  const cellW = (1 - gapX * (columns - 1)) / columns;
  const cellH = 1 / rows;
  const captionShare = options.captions ? 0.22 : 0.04;
  const data: PlotlyTrace[] = [];
  const layout: Record<string, unknown> = {};
  const annotations: Record<string, unknown>[] = [];
  for (let k = 0; k < count; k++) {
    const row = Math.floor(k / columns);
    const col = k % columns;
    const suffix = k === 0 ? "" : String(k + 1);
    const z: number[][] = [];
    for (let r = 0; r < height; r++) z.push(Array.from({ length: width }, (_, c) => images[k * size + r * width + c]));
    const caption = options.captions?.[k];
    data.push({
      type: "heatmap",
      name: caption ?? `image ${k + 1}`,
      z,
      xaxis: `x${suffix}`,
      yaxis: `y${suffix}`,
      zmin: lo,
      zmax: hi,
      colorscale: [
        [0, "#ffffff"],
        [1, "#000000"],
      ],
      showscale: false,
      hovertemplate: `${plotlyText(caption ?? `image ${k + 1}`)}<br>row %{y}, column %{x}: %{z}<extra></extra>`,
    });
    const x0 = col * (cellW + gapX);
    const top = 1 - row * cellH;
    const yDomain = [top - cellH + 0.02, top - cellH * captionShare];
    layout[`xaxis${suffix}`] = { domain: [x0, x0 + cellW], visible: false, constrain: "domain" };
    layout[`yaxis${suffix}`] = {
      domain: yDomain,
      visible: false,
      autorange: "reversed",
      scaleanchor: `x${suffix}`,
      constrain: "domain",
    };
    if (caption !== undefined) {
      annotations.push({
        text: plotlyText(caption),
        x: x0 + cellW / 2,
        y: top,
        xref: "paper",
        yref: "paper",
        xanchor: "center",
        yanchor: "top",
        showarrow: false,
        font: { size: 11 },
      });
    }
  }
  return new Figure({
    data,
    layout: {
      ...layout,
      annotations,
      title: { text: plotlyText(options.title ?? `${count} image${count === 1 ? "" : "s"}`) },
      height: 60 + rows * 120,
      margin: { l: 10, r: 10, t: 50, b: 10 },
    },
  });
}
