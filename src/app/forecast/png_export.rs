//! PNG of the forecast plot for slides: the window's pixels (egui's screenshot of the viewport,
//! from the real renderer natively and in the browser) cut to the plot's rectangle and encoded.

use eframe::egui;

/// `image` cut to `rect` (in points, `pixels_per_point` pixels each) as PNG bytes.
pub fn plot_png(image: &egui::ColorImage, rect: egui::Rect, pixels_per_point: f32) -> Result<Vec<u8>, String> {
    let [w, h] = image.size;
    let px = |v: f32, max: usize| ((v * pixels_per_point).round().max(0.0) as usize).min(max);
    let (x0, x1) = (px(rect.min.x, w), px(rect.max.x, w));
    let (y0, y1) = (px(rect.min.y, h), px(rect.max.y, h));
    if x1 <= x0 || y1 <= y0 {
        return Err("the plot is not on screen".into());
    }
    let mut rgba = Vec::with_capacity((x1 - x0) * (y1 - y0) * 4);
    for y in y0..y1 {
        for p in &image.pixels[y * w + x0..y * w + x1] {
            rgba.extend_from_slice(&p.to_srgba_unmultiplied());
        }
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, (x1 - x0) as u32, (y1 - y0) as u32);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
    writer.write_image_data(&rgba).map_err(|e| e.to_string())?;
    writer.finish().map_err(|e| e.to_string())?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plot_rectangle_is_cut_out_and_round_trips_through_png() {
        // 8 × 6 pixels at 2 pixels per point: red inside points (1,1)–(3,2), white elsewhere.
        let mut image = egui::ColorImage::filled([8, 6], egui::Color32::WHITE);
        for y in 2..4 {
            for x in 2..6 {
                image.pixels[y * 8 + x] = egui::Color32::RED;
            }
        }
        let rect = egui::Rect::from_min_max(egui::pos2(1.0, 1.0), egui::pos2(3.0, 2.0));
        let bytes = plot_png(&image, rect, 2.0).expect("png");
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().expect("header");
        let mut buf = vec![0; reader.output_buffer_size().expect("size")];
        let info = reader.next_frame(&mut buf).expect("frame");
        assert_eq!((info.width, info.height), (4, 2));
        assert!(buf[..info.buffer_size()].chunks(4).all(|p| p == [255, 0, 0, 255]));
        // A plot scrolled out of the window gives a clear error, not an empty file.
        let off = egui::Rect::from_min_max(egui::pos2(10.0, 10.0), egui::pos2(20.0, 20.0));
        assert!(plot_png(&image, off, 2.0).is_err());
    }
}
