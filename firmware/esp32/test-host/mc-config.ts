/** Test double of `mc/config`: the file root Moddable's littlefs manifest sets ("/"). */
const config = Object.freeze({ file: Object.freeze({ root: '/' }) });
export default config;
